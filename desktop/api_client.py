"""Where the agent API client used to live; it is desktop.services.api's now. Kept so
tests/conftest.py and tests/unit/test_tls.py still import; new code imports desktop.services.api."""
from desktop.services.api import AgentApiClient, default_api_url

__all__ = ["AgentApiClient", "default_api_url"]
