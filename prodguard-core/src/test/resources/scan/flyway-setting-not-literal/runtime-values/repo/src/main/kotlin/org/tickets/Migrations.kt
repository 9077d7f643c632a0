package org.tickets

import javax.sql.DataSource
import org.flywaydb.core.Flyway

fun migrations(ds: DataSource, prefix: String): Flyway =
    Flyway.configure().dataSource(ds).table("${prefix}_history").load()

fun plain(ds: DataSource): Flyway = Flyway.configure().dataSource(ds).outOfOrder(false).load()
