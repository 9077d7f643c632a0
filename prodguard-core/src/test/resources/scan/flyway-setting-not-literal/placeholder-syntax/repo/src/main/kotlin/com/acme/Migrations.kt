package com.acme

import org.flywaydb.core.Flyway
import javax.sql.DataSource

fun flyway(ds: DataSource): Flyway =
    Flyway.configure().dataSource(ds).placeholderPrefix("@" + "@").load()
