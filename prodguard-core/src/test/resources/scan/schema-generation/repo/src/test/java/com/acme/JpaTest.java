package com.acme;

class JpaTest {
  void configure(java.util.Map<String, Object> props) {
    props.put("hibernate.hbm2ddl.auto", "create-drop");
  }
}
