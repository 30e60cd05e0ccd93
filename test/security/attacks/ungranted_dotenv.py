# expect: result = FileNotFoundError
# attack: read the project's .env file directly
from capsule import task

@task(name="main")
def main() -> str:
    try:
        return open(".env").read()
    except OSError as e:
        return type(e).__name__
