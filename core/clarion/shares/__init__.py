"""The shares domain: sharing and publishing, tracked links and their codes, clicks (journal, visitors, bots) and the networks' rate limits."""
