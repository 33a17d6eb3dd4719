"""The client's defaults, in one place: ``connect()``, :class:`~nitrosend_nb.Nitrosend`, the transport and the
resources all read them from here."""

BASE_URL = "https://api.nitrosend.com/v1/my"  #: the live API
API_PATH = "/v1/my"  #: where a sandbox serves the API below its root URL
SANDBOX_API_KEY = "nskey_test_sandbox"  #: the key a shared sandbox accepts unless NITROSEND_SANDBOX_KEY says otherwise

CONCURRENCY = 4  #: pages fetched at the same time
TIMEOUT = 30.0  #: seconds to wait for one response
PROGRESS = True  #: show a progress bar for fetches of more than one page
MAX_WAIT = 60.0  #: seconds one request may spend waiting out 429s before RateLimitError
RETRIES = 8  #: retries of 5xx and connection failures per request

PAGE_SIZE = 100  #: the API's maximum page size, used to fetch every record
LIST_LIMIT = 25  #: the page size of one ``list()`` call
