"""URL normalisation: every spelling of a page comes out as one canonical URL."""

import pytest

from ics_text.collect.urls import is_tracking_param, netloc_of, normalize

NHS = {"nhsconfed.org": "https://www.nhsconfed.org", "www.nhsconfed.org": "https://www.nhsconfed.org",
       "127.0.0.1:8801": "https://www.nhsconfed.org"}


@pytest.mark.parametrize("url", [
    "https://www.nhsconfed.org/news/winter-plan",
    "http://www.nhsconfed.org/news/winter-plan",
    "HTTPS://NHSConfed.org:443/news/winter-plan/",
    "https://nhsconfed.org/news/winter-plan?utm_source=twitter&utm_campaign=x",
    "https://www.nhsconfed.org/news/winter-plan#comments",
    "https://www.nhsconfed.org/news/./other/../winter-plan?fbclid=abc&gclid=def",
    "http://127.0.0.1:8801/news/winter-plan?mc_cid=1&mc_eid=2&_ga=3",
    "https://www.nhsconfed.org/news/%77inter-plan",  # an escaped unreserved letter
    " https://www.nhsconfed.org/news/winter-plan\n",
])
def test_spellings_of_one_page_agree(url):
    assert normalize(url, host_map=NHS, trailing_slash="strip") == "https://www.nhsconfed.org/news/winter-plan"


def test_meaningful_query_is_kept_and_sorted():
    a = normalize("https://x.org/news?page=2&topic=health&utm_medium=email")
    b = normalize("https://x.org/news?topic=health&page=2")
    assert a == b == "https://x.org/news?page=2&topic=health"


def test_relative_links_resolve_against_the_page():
    assert normalize("../publications/report", "https://x.org/news/item") == "https://x.org/publications/report"
    assert normalize("/a", "https://x.org/b/c") == "https://x.org/a"


def test_trailing_slash_conventions():
    assert normalize("https://x.org/slug", trailing_slash="add") == "https://x.org/slug/"
    assert normalize("https://x.org/uploads/report.pdf", trailing_slash="add") == "https://x.org/uploads/report.pdf"
    assert normalize("https://x.org/slug/", trailing_slash="strip") == "https://x.org/slug"
    assert normalize("https://x.org/slug/", trailing_slash="keep") == "https://x.org/slug/"
    assert normalize("https://x.org", trailing_slash="strip") == "https://x.org/"


def test_not_web_urls_are_refused():
    for url in ["mailto:press@x.org", "javascript:void(0)", "tel:+44", "ftp://x.org/f", "", "http://"]:
        assert normalize(url) is None
    assert normalize("https://x.org:notaport/") is None


def test_unknown_hosts_keep_their_www_and_non_default_port():
    assert normalize("http://WWW.Example.org:8080/A") == "http://www.example.org:8080/A"
    assert normalize("http://example.org:80/") == "http://example.org/"


def test_escaping_is_normalised():
    assert normalize("https://x.org/a b/caf\u00e9") == "https://x.org/a%20b/caf%C3%A9"
    assert normalize("https://x.org/a%2fb%3a") == "https://x.org/a%2Fb%3A"


def test_tracking_params():
    for name in ["utm_source", "UTM_Medium", "fbclid", "gclid", "msclkid", "mc_cid", "_hsenc", "pk_campaign"]:
        assert is_tracking_param(name)
    for name in ["page", "topic", "id", "q"]:
        assert not is_tracking_param(name)
    assert is_tracking_param("ref", extra=["ref"])
    assert normalize("https://x.org/?ref=abc&id=1", drop_params=["ref"]) == "https://x.org/?id=1"


def test_netloc():
    assert netloc_of("https://WWW.x.org:443/a") == "www.x.org"
    assert netloc_of("http://127.0.0.1:8801/a") == "127.0.0.1:8801"
