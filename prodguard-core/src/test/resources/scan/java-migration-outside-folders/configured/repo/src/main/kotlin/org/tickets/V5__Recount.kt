package org.tickets

import org.flywaydb.core.api.migration.BaseJavaMigration
import org.flywaydb.core.api.migration.Context

class V5__Recount : BaseJavaMigration() {
    override fun migrate(context: Context) {}
}
