"""`python -m identity serve | relay | migrate`."""

from identity.app import definition
from portal_platform.service import main

if __name__ == "__main__":
    main(definition)
