"""The always-on hotline service: FastAGI, the one AMI connection, the agent API."""
