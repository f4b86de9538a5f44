"""A web app using only Python's standard library: nothing to install."""
from http.server import BaseHTTPRequestHandler, HTTPServer

MESSAGE = "Hello from an image you built yourself!"


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = (MESSAGE + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("0.0.0.0", 8000), Hello).serve_forever()
