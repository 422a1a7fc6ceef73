"""Standards (评价标准) as versioned data files, validated and imported."""
