# expect: config ~ allowed_hosts.*scheme
# attack: an allowed_hosts entry with a scheme is a config error, not a silent deny-all
from capsule import task

@task(name="main", allowed_hosts=["https://example.com"])
def main() -> str:
    return "ran"
