"""`python -m notify serve | relay | consume | migrate | remind | deliver`."""

from notify.app import definition
from portal_platform.service import main

if __name__ == "__main__":
    main(definition)
