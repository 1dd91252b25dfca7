"""govstats ETL: documents → quantities → facts → Parquet table."""
