"""Built-in earned-media-value models: CPC * clicks, CPM * impressions (or reach), a value per interaction."""
