/** Small lexicon documents for the router's tests (one per feature the router must honour). */
export const TEST_LEXICONS: unknown[] = [
  {
    lexicon: 1,
    id: 'com.example.echoParams',
    defs: {
      main: {
        type: 'query',
        parameters: {
          type: 'params',
          required: ['did'],
          properties: {
            did: { type: 'string', format: 'did' },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
            flag: { type: 'boolean' },
            tags: { type: 'array', items: { type: 'string' } },
          },
        },
        output: {
          encoding: 'application/json',
          schema: {
            type: 'object',
            required: ['ok'],
            properties: { ok: { type: 'boolean' }, params: { type: 'unknown' } },
          },
        },
      },
    },
  },
  {
    lexicon: 1,
    id: 'com.example.createThing',
    defs: {
      main: {
        type: 'procedure',
        input: {
          encoding: 'application/json',
          schema: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string', maxLength: 10 }, ref: { type: 'cid-link' }, data: { type: 'bytes' } },
          },
        },
        output: {
          encoding: 'application/json',
          schema: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, ref: { type: 'cid-link' } },
          },
        },
        errors: [{ name: 'ThingExists' }],
      },
    },
  },
  {
    lexicon: 1,
    id: 'com.example.upload',
    defs: {
      main: {
        type: 'procedure',
        input: { encoding: '*/*' },
        output: { encoding: 'application/json', schema: { type: 'object', properties: { size: { type: 'integer' } } } },
      },
    },
  },
  {
    lexicon: 1,
    id: 'com.example.imageOnly',
    defs: { main: { type: 'procedure', input: { encoding: 'image/*' } } },
  },
  {
    lexicon: 1,
    id: 'com.example.noInput',
    defs: { main: { type: 'procedure' } },
  },
  {
    lexicon: 1,
    id: 'com.example.subscribe',
    defs: {
      main: {
        type: 'subscription',
        parameters: { type: 'params', properties: { cursor: { type: 'integer', minimum: 0 } } },
        message: { schema: { type: 'union', refs: ['#tick'] } },
        errors: [{ name: 'FutureCursor' }],
      },
      tick: { type: 'object', required: ['seq'], properties: { seq: { type: 'integer' } } },
    },
  },
]
