"""`python -m notify serve | relay | migrate`."""

from portal_platform.service import main

from notify.app import definition

if __name__ == "__main__":
    main(definition)
