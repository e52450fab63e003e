"""Facts shared by every program of the hotline (service, admin CLI, bench, desk).

Standard library only: the desk installs this package on an agent PC without
the server's dependencies.
"""
