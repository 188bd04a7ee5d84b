/**
 * The Pulumi program. It reads the stack config once, validated (a bad value fails
 * here, before any resource is declared), and wires the components built from it.
 * The components come with the infrastructure issue; today the program only
 * validates the configuration and declares no AWS resources.
 */
import * as pulumi from '@pulumi/pulumi';
import { parseStackConfig } from './config';

const config = parseStackConfig(pulumi.runtime.allConfig());

export const stage = config.stage;
export const region = config.region;
