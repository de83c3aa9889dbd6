"""`python -m gantools ...` (and `torchrun -m gantools ...`) runs the CLI."""

from gantools.cli.main import main

if __name__ == "__main__":
    main()
