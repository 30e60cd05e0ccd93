# expect: result = None
# attack: a variable from .env that the decorator did not name
from capsule import task
import os

@task(name="main", env_variables=["GRANTED_VAR"])
def main() -> str:
    return str(os.getenv("DOTENV_SECRET"))
