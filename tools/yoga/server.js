'use strict'
/**
 * GraphQL Yoga 5 on Node serving tools/bench's schema: the Node peer of issue 18.
 *
 * Run as `node server.js --port PORT --sdl SDL`. The SDL is tools/benchlib/schema_data.py's,
 * passed by the harness, so that one source of truth defines the schema of every server. The
 * resolvers do the work the Python peers do: every item and branch is built per call as a plain
 * object, read by the default field resolvers. Yoga runs with its defaults (parse and validation
 * caches on) on node:http, in one process, at graphqlEndpoint "/". graphql-transport-ws
 * subscriptions go through graphql-ws on `ws`, on the same port and path, with Yoga's envelop
 * (its parse and validate) preparing each operation, as Yoga's docs set it up.
 */

// As deployed: graphql-js skips its development-only checks (read once, when it loads).
process.env.NODE_ENV = process.env.NODE_ENV || 'production'

const { createServer } = require('node:http')
const { parseArgs } = require('node:util')
const { createSchema, createYoga } = require('graphql-yoga')
const { useServer } = require('graphql-ws/use/ws')
const { WebSocketServer } = require('ws')

/** The `index`-th item, the same values as schema_data.make_item. */
function makeItem (index) {
  return {
    id: String(index),
    name: `item-${index}`,
    price: index * 0.5 + 0.25,
    tags: ['red', 'blue', `tag-${index % 7}`]
  }
}

/** The `index`-th branch of `tree(n, m)`, as schema_data.make_branch. */
function makeBranch (index, m) {
  const children = []
  for (let child = 0; child < m; child++) children.push(makeItem(index * m + child))
  return { id: String(index), name: `branch-${index}`, children }
}

/** `count_up`: the values 1..upTo, with no sleeps. */
async function * countUp (upTo) {
  for (let value = 1; value <= upTo; value++) yield value
}

const resolvers = {
  Query: {
    hello: () => 'world',
    items: (_root, { n }) => {
      const items = []
      for (let index = 0; index < n; index++) items.push(makeItem(index))
      return items
    },
    tree: (_root, { n, m }) => {
      const branches = []
      for (let index = 0; index < n; index++) branches.push(makeBranch(index, m))
      return branches
    }
  },
  Subscription: {
    counter: { subscribe: (_root, { upTo }) => countUp(upTo), resolve: (value) => value }
  }
}

/** Yoga's envelop prepares a graphql-ws operation: its parse, validate, execute, subscribe. */
async function prepareOperation (yoga, ctx, params) {
  const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
    ...ctx,
    req: ctx.extra.request,
    socket: ctx.extra.socket,
    params
  })
  const document = parse(params.query)
  const errors = validate(schema, document)
  if (errors.length) return errors
  return {
    schema,
    document,
    operationName: params.operationName,
    variableValues: params.variables,
    contextValue: await contextFactory(),
    // (carries the enveloped execute/subscribe to graphql-ws's hooks below; no resolver reads it)
    rootValue: { execute, subscribe }
  }
}

function main () {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, sdl: { type: 'string' } }
  })
  const yoga = createYoga({
    schema: createSchema({ typeDefs: values.sdl, resolvers }),
    graphqlEndpoint: '/'
  })
  const server = createServer(yoga)
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint })
  useServer(
    {
      onSubscribe: (ctx, _id, params) => prepareOperation(yoga, ctx, params),
      execute: (args) => args.rootValue.execute(args),
      subscribe: (args) => args.rootValue.subscribe(args)
    },
    sockets
  )
  server.listen(Number(values.port), '127.0.0.1')
}

main()
