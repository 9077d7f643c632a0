package com.acme

import org.flywaydb.core.Flyway

fun reset(flyway: Flyway) {
    flyway.clean()
}
