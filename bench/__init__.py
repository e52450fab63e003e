"""The test bench and demos: scratch hotlines, scenario callers, the desk demo. Nothing shipped imports it but `hotline dialplan test` and `hotline desktop --demo`."""
