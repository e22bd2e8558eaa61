"""`python -m water serve | relay | migrate`."""

from portal_platform.service import main
from water.app import definition

if __name__ == "__main__":
    main(definition)
