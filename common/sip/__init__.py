"""The pjsua2 softphone engine shared by the desk and the bench."""
