# dotenv: GREETING="hello
# dotenv: DB_PASSWORD=hunter2
# dotenv: OTHER="x"
# expect: result = None|x
# attack: E3, a stray double quote in .env pulls the next lines (DB_PASSWORD) into a granted variable
from capsule import task
import os

@task(name="main", env_variables=["GREETING", "OTHER"])
def main() -> str:
    return f"{os.getenv('GREETING')}|{os.getenv('OTHER')}"
