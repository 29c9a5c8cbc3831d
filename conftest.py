pytest_plugins = ["cii_platform.testing.pytest_plugin"]
