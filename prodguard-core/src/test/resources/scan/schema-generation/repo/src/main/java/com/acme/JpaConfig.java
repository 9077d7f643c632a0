package com.acme;

import java.util.Map;
import org.hibernate.cfg.AvailableSettings;

public class JpaConfig {
  void configure(Map<String, Object> props) {
    props.put("hibernate.hbm2ddl.auto", "create-drop");
    props.put(AvailableSettings.HBM2DDL_AUTO, "update");
    props.put("hibernate.hbm2ddl.auto", "validate");
  }
}
