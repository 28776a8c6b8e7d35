"""`python -m scheduler` runs the `offhours` CLI."""

from scheduler import cli

if __name__ == "__main__":
    cli.main()
