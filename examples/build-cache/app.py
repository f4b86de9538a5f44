"""A small Flask app: the program this example packs into an image."""
import os

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return f"Hello from version {os.environ['APP_VERSION']} of an image you built yourself!\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)  # 0.0.0.0: reachable through the published port
