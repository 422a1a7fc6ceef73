"""随机抽查: the verifiable random draw, inspectors, on-site check logs, rectification."""
