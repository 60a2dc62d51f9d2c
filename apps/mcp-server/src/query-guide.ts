/** What an agent needs to write a valid ADT query (adt-api.md §4; docs/query.md). */
export const QUERY_GUIDE = `Runs an Azure Digital Twins query (ADT's SQL-like language) and returns one page of rows.
Essentials:
- Twins: SELECT * FROM DIGITALTWINS T WHERE ... ; system fields start with $: T.$dtId, T.$metadata.$model, T.$etag.
- Model filter (with inheritance): WHERE IS_OF_MODEL(T, 'dtmi:example:Room;1'); exact model only: IS_OF_MODEL(T, 'dtmi:...', exact).
- Projections: SELECT T.$dtId, T.temperature FROM DIGITALTWINS T ; counting: SELECT COUNT() FROM DIGITALTWINS T WHERE ...
- TOP: SELECT TOP(10) T FROM DIGITALTWINS T. There is no ORDER BY, GROUP BY or OFFSET.
- Relationships: SELECT R FROM RELATIONSHIPS R WHERE R.$sourceId = 'a' AND R.$relationshipName = 'contains'.
- Joins follow relationships (at most 5 hops), always named by relationship: SELECT B FROM DIGITALTWINS A JOIN B RELATED A.contains WHERE A.$dtId = 'floor1'. A JOIN needs a WHERE that pins the first twin ($dtId) or filters it.
- Functions: STARTSWITH(x,'p'), ENDSWITH, CONTAINS, IS_DEFINED(T.prop), IS_NULL, IS_NUMBER, IS_STRING, IS_BOOL, IS_PRIMITIVE, IS_OBJECT; operators = != < <= > >= AND OR NOT IN [..] NIN [..].
- Strings take single quotes; property names are case-sensitive; a component's property is T.component.property.
- Reserved words used as names are escaped with [[ ]]: T.[[Group]].
Examples:
  SELECT T.$dtId, T.temperature FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, 'dtmi:example:Room;1') AND T.temperature > 25
  SELECT Room FROM DIGITALTWINS Floor JOIN Room RELATED Floor.contains WHERE Floor.$dtId = 'floor-1'
  SELECT COUNT() FROM RELATIONSHIPS R WHERE R.$relationshipName = 'feeds'
Paging: pass the returned continuation_token (and nothing else needs repeating) to get the next page.`;

export const INSTRUCTIONS = `This server gives access to a digital twin graph (Azure Digital Twins API).
Work in this order: list_models to see the kinds of twins (their DTMIs), get_model for a model's properties and relationships,
then query (ADT query language, see its description) or get_twin / list_relationships / traverse for a twin's neighbourhood;
property_history for a property's values over time. Twin ids are $dtId values; quote strings with single quotes in queries.`;
