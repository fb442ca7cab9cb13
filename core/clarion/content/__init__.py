"""The content domain: content items and their lifecycle, who may share what (eligibility), campaigns and the social media guidelines."""
