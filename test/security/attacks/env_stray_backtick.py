# dotenv: GREETING=`hello
# dotenv: DB_PASSWORD=hunter2
# dotenv: OTHER=`z`
# expect: result = None|z
# attack: E3 with a backtick, which Node's parser also treats as a multi-line quote
from capsule import task
import os

@task(name="main", env_variables=["GREETING", "OTHER"])
def main() -> str:
    return f"{os.getenv('GREETING')}|{os.getenv('OTHER')}"
