"""`python -m identity serve | relay | migrate`."""

from portal_platform.service import main

from identity.app import definition

if __name__ == "__main__":
    main(definition)
