"""The ambassadors domain: people, their consent and profile, connected network accounts and credentials, API tokens and widget sessions."""
