package com.acme;

public class Config {
  String url = System.getenv("PROD_DATABASE_URL");
  String hint = System.getenv("MY_PROD_DATABASE_URL");
}
