// graphql-js 17's own incremental executor on tests/js/defer-schema.graphql. argv[2] is a
// JSON array of operations ({"query": ..., "variables": ...}); prints, for each, the list
// of its payloads (the first, then every later one). The resolvers match the Python ones
// in tests/asgi/test_defer_schema.py.
import { readFileSync } from 'node:fs';
import {
  GraphQLDeferDirective,
  GraphQLSchema,
  GraphQLStreamDirective,
  buildSchema,
  experimentalExecuteIncrementally,
  parse,
  specifiedDirectives,
} from 'graphql';

const sdl = readFileSync(new URL('./defer-schema.graphql', import.meta.url), 'utf8');
const built = buildSchema(sdl);
const schema = new GraphQLSchema({
  ...built.toConfig(),
  directives: [...specifiedDirectives, GraphQLDeferDirective, GraphQLStreamDirective],
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
const person = (name, age, friends = []) => ({
  name,
  age,
  bad: () => {
    throw new Error(`${name} is bad`);
  },
  friends,
});

const rootValue = {
  hello: 'world',
  slow: async () => {
    await tick();
    return 'slow';
  },
  fail: () => {
    throw new Error('boom');
  },
  failNonNull: () => {
    throw new Error('boom!');
  },
  person: () => person('Ada', 36, [person('Bob', 40), person('Cy', null)]),
  numbers: [1, 2, 3],
  asyncNumbers: async function* () {
    for (const number of [1, 2, 3]) {
      await tick();
      yield number;
    }
  },
  people: [person('Ada', 36), person('Bob', 40)],
};

async function payloadsOf({ query, variables }) {
  const result = await experimentalExecuteIncrementally({
    schema,
    document: parse(query),
    rootValue,
    variableValues: variables ?? undefined,
  });
  if (!('initialResult' in result)) return [JSON.parse(JSON.stringify(result))];
  const payloads = [JSON.parse(JSON.stringify(result.initialResult))];
  for await (const payload of result.subsequentResults) {
    payloads.push(JSON.parse(JSON.stringify(payload)));
  }
  return payloads;
}

const outputs = [];
for (const operation of JSON.parse(process.argv[2])) outputs.push(await payloadsOf(operation));
console.log(JSON.stringify(outputs));
