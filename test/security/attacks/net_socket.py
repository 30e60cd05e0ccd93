# expect: result = AttributeError
# attack: open a socket to the host's loopback directly
from capsule import task
import os

@task(name="main")
def main() -> str:
    try:
        import socket
        s = socket.create_connection(("127.0.0.1", int(os.environ.get("PORT", "80"))), timeout=1)
        return "connected"
    except Exception as e:
        return type(e).__name__
