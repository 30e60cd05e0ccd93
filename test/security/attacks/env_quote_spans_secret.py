# dotenv: GREETING="hi
# dotenv: DB_PASSWORD=hunter2
# dotenv: API_KEY=sk-live-123
# dotenv: CLOSE=x"
# expect: result !~ hunter2|sk-live
# attack: E3, a quote opened on one line and closed three lines later: nothing between may reach any granted variable
from capsule import task
import os

@task(name="main", env_variables=["GREETING", "CLOSE"])
def main() -> str:
    return repr(dict(os.environ))
