// Starts the AT Protocol reference servers (PLC, PDS, AppView, from @atproto/dev-env) on loopback,
// creates one account with an app password, prints their addresses as one JSON line, keeps the
// AppView indexing, and stops on SIGTERM. Used by `nox -s peers`; needs PostgreSQL and Redis
// (DB_POSTGRES_URL, REDIS_HOST).
import { TestNetwork } from '@atproto/dev-env'
import { AtpAgent } from '@atproto/api'

const network = await TestNetwork.create({ dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA || 'clarion_peers' })
const agent = new AtpAgent({ service: network.pds.url })
const handle = `clarion${Date.now() % 100000}.test`
await agent.createAccount({ email: `${handle}@example.com`, handle, password: 'peers-password' })
const appPassword = await agent.com.atproto.server.createAppPassword({ name: 'clarion' })
await network.processAll()
console.log(
  JSON.stringify({
    pds: network.pds.url,
    appview: network.bsky.url,
    handle,
    app_password: appPassword.data.password,
  }),
)
// The AppView reads the PDS's firehose; in the dev network someone has to make it catch up.
const indexing = setInterval(() => network.processAll().catch((error) => console.error(error)), 500)
const stop = async () => {
  clearInterval(indexing)
  await network.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
