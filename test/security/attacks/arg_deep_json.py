# expect: config ~ ^start: args\[0\](\[0\]){499} is nested too deeply: more than 500 levels
# args: deep
# attack: a deeply nested JSON argument
from capsule import task

@task(name="main")
def main(x=None) -> str:
    return "parsed"
