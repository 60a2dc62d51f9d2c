import { DomainError } from '@odt/contracts';

export const RoutingErrors = {
  routeNotFound: (id: string) =>
    new DomainError('EventRouteNotFound', `There is no event route with the id ${id}.`),
  endpointNotFound: (name: string) => new DomainError('EndpointNotFound', `There is no endpoint named ${name}.`),
  routeEndpointInvalid: (name: unknown) =>
    new DomainError('EventRouteEndpointInvalid', `The endpoint ${String(name)} provided does not exist or is not active. Check that your endpoint is provisioned correctly.`),
  routeFilterInvalid: (message: string) => new DomainError('EventRouteFilterInvalid', `The filter is invalid: ${message}`),
  routeIdInvalid: () =>
    new DomainError('EventRouteIdInvalid', 'An event route id is 1 to 50 characters from A-Z a-z 0-9 - _ and starts with a letter or digit.'),
  routeBodyInvalid: (message: string) => new DomainError('InvalidArgument', message),
  endpointInvalid: (message: string) => new DomainError('EndpointInvalid', message),
  endpointInUse: (name: string, routes: string[]) =>
    new DomainError('EndpointInUse', `Endpoint ${name} is used by the event route(s) ${routes.join(', ')}; delete or repoint them first.`),
};
