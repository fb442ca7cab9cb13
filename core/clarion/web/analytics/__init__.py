"""Analytics API: programme, campaign, content, team, network and personal figures with provenance."""
