/**
 * An EventBridge schema registry with the schema of every event Afterword takes and emits, so
 * producers and subscribers can download code bindings (Java, Python, TypeScript, Go) from the
 * console, the API or their IDE's AWS toolkit instead of hand-writing the shapes.
 */
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { eventTypeName, PUBLISHED_EVENTS, registrySchema } from '../lib/contracts/published.js';

export class EventSchemas extends Construct {
  readonly registryName: string;

  constructor(scope: Construct, id: string, props: { registryName: string }) {
    super(scope, id);
    const registry = new eventschemas.CfnRegistry(this, 'Registry', {
      registryName: props.registryName,
      description:
        'The events Afterword takes (Interaction Completed) and emits (source afterword)',
    });
    // The name as given (not a GetAtt): outputs and readers get a plain string; DependsOn orders creation.
    this.registryName = props.registryName;
    for (const event of PUBLISHED_EVENTS) {
      const name = eventTypeName(event);
      const schema = new eventschemas.CfnSchema(this, `${name}V${event.version}`, {
        registryName: props.registryName,
        // AWS's own schemas are named source@DetailType; producers of interactions choose their source.
        schemaName: `${event.source ?? 'producers'}@${name}`,
        type: 'OpenApi3',
        content: JSON.stringify(registrySchema(event)),
        description:
          event.direction === 'in'
            ? `${event.detailType} v${event.version}: what producers put on the bus`
            : `${event.detailType} v${event.version}: what Afterword puts on the bus`,
      });
      schema.addDependency(registry);
    }
  }
}
