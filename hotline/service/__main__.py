"""`python -m hotline.service` (as `hotline up` starts it) or `hotline-service`."""
from hotline.service.app import main

if __name__ == "__main__":
    main()
