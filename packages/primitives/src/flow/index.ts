// Flow-control and performance primitives: cache, bulkhead, rate limit, hedge, batch, stream, filter, validate.
export {};
