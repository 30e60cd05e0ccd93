# expect: result = FileNotFoundError
# attack: read project data without a grant
from capsule import task

@task(name="main")
def main() -> str:
    try:
        return open("secret_data/secret.txt").read()
    except OSError as e:
        return type(e).__name__
