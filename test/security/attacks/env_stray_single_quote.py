# dotenv: GREETING='hello
# dotenv: DB_PASSWORD=hunter2
# dotenv: OTHER='y'
# expect: result = None|y
# attack: E3 with a single quote: the granted variable must not carry the following lines
from capsule import task
import os

@task(name="main", env_variables=["GREETING", "OTHER"])
def main() -> str:
    return f"{os.getenv('GREETING')}|{os.getenv('OTHER')}"
