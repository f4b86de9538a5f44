"""Tries the database exactly once, the moment the app starts, and says what it found."""
import socket
import time

try:
    socket.create_connection(("db", 5432), timeout=3).close()
    print("db answered at start: yes", flush=True)
except OSError as error:
    print(f"db answered at start: no ({error})", flush=True)

# A real app would now serve requests; this one just stays up.
while True:
    time.sleep(3600)
