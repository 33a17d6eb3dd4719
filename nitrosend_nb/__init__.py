"""nitrosend-nb: the Nitrosend email-marketing API in JupyterLab."""

__version__ = "0.1.0"
