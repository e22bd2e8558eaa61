"""`python -m waste serve | relay | migrate`."""

from portal_platform.service import main
from waste.app import definition

if __name__ == "__main__":
    main(definition)
